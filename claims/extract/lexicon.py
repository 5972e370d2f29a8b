"""Word lists for speaker resolution: titles, role nouns, gender cues, organisation and
publication words. General English, not fitted to any article."""

from __future__ import annotations

# Titles that precede a name and describe the person ("Vice President Joe Biden"): they go to the
# speaker's description, not the name. Honorifics (Dr., Prof.) stay in the name as the article
# gives it.
TITLES = frozenset("""
President Vice Prime Minister Premier Chancellor Senator Sen Sen. Representative Rep Rep. Congressman
Congresswoman Governor Gov Gov. Lieutenant Lt Lt. Mayor Deputy Secretary Undersecretary Under
Attorney General Gen Gen. Admiral Adm Adm. Colonel Col Col. Major Maj Maj. Captain Capt Capt.
Sergeant Sgt Sgt. Commander Cmdr Chief Director Administrator Commissioner Chairman Chairwoman
Chair Chairperson Ambassador Judge Justice Magistrate Sheriff Inspector Detective Officer Constable
Superintendent Coach Manager CEO CFO COO CTO Pope Cardinal Archbishop Bishop Reverend Rev Rev. Father Rabbi Imam
Sheikh King Queen Prince Princess Emperor Empress Crown Foreign Interior Defence Defense Health
Finance Education Environment Justice Home Shadow Acting Interim Former Emeritus Associate
Assistant Executive Senior Spokesman Spokeswoman Spokesperson Speaker Leader Minority Majority
Whip Councillor Councilor Alderman Provost Dean Principal Headteacher Dame Sir Lord Lady State
US U.S. UK U.K. Federal National Regional District Provincial Labour Labor Republican Democrat
Democratic Conservative Liberal Green
""".split())
# Title words that are also common surnames: after a first name they end a name ("Tom Green").
SURNAME_TITLES = frozenset("Green King Major Dean Bishop Judge Justice Chancellor Speaker Leader Prince Lord "
                           "Chief Marshal Cardinal Sheriff Provost Chair Coach Officer".split())
# Title words that describe a field, a party or a rank modifier rather than a person's office:
# "Environment Canada" or "Health" before a name says nothing of a person.
FIELD_TITLES = frozenset("""Vice Prime Deputy Under Crown Foreign Interior Defence Defense Health Finance Education
Environment Justice Home Shadow Acting Interim Former Emeritus Associate Assistant Executive Senior State US U.S. UK
U.K. Federal National Regional District Provincial Labour Labor Republican Democrat Democratic Conservative Liberal
Green Minority Majority Chief Attorney""".split())
HONORIFICS = frozenset({"Dr", "Dr.", "Prof", "Prof.", "Professor", "Mr", "Mr.", "Mrs", "Mrs.", "Ms",
 "Ms.", "Miss", "Mx", "Mx."})
MALE_HONORIFICS = frozenset({"Mr", "Mr.", "Sir", "Lord", "King", "Prince", "Father", "Emperor"})
FEMALE_HONORIFICS = frozenset({"Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Dame", "Lady", "Queen", "Princess",
 "Empress", "Sister"})
# Credentials after a name ("Robyn Gmyrek, M.D."): part of the description.
CREDENTIALS = frozenset({"M.D.", "MD", "Ph.D.", "PhD", "D.O.", "DO", "R.N.", "RN", "M.P.H.", "MPH",
 "QC", "Q.C.", "KC", "Esq.", "Jr.", "Sr.", "MBA", "M.B.A.", "DDS", "D.D.S.",
 "RD", "R.D.", "MS", "M.S.", "PharmD", "Pharm.D.", "FAAD", "MP", "M.P."})

# Common nouns for people in a role: "the senator said" refers back to a person.
PERSON_NOUNS = frozenset("""
senator minister president official officer spokesman spokeswoman spokesperson representative
director chief researcher scientist professor doctor physician surgeon nurse dermatologist
expert author writer editor reporter journalist columnist analyst economist lawyer attorney
prosecutor judge coach player captain manager founder owner chairman chairwoman chair secretary
ambassador governor mayor leader lawmaker legislator congressman congresswoman diplomat envoy
commissioner administrator curator artist student teacher principal dean resident witness victim
survivor mother father sister brother wife husband son daughter friend neighbour neighbor
campaigner activist advocate critic candidate politician premier chancellor king queen prince
princess general colonel commander sergeant detective inspector sheriff agent investigator
engineer designer architect developer blogger poster user member fan poet singer actor actress
musician composer director producer psychologist psychiatrist pharmacist dietitian nutritionist
epidemiologist biologist chemist physicist astronomer mathematician historian philosopher
patient participant volunteer worker employee customer parent teenager caregiver physician-scientist
pediatrician cardiologist oncologist neurologist virologist immunologist pathologist dentist
therapist counselor paramedic firefighter farmer owner spokesperson commentator host presenter
""".split())
ORG_NOUNS = frozenset("""
agency department ministry company firm city council government organization organisation group
association university hospital institute society board commission court office party team club
church school federation union committee administration authority bureau service centre center
foundation charity police army military navy force regime state country nation municipality
county province region parliament congress senate house cabinet campaign coalition alliance
network corporation business bank lab laboratory clinic museum gallery library
""".split())
# Nouns a name turns into a body of its own: "the Obama campaign", "the Trump administration".
BODY_HEADS = frozenset("campaign administration government team camp office family".split())
PUBLICATION_NOUNS = frozenset("""
newspaper paper magazine journal outlet broadcaster channel station network website site blog
publication daily weekly tabloid wire
""".split())
DOCUMENT_NOUNS = frozenset("""
statement report letter analysis study review survey paper document memo release announcement
tweet post message email e-mail website blog article editorial study notice website ruling
decision verdict filing complaint lawsuit petition note
""".split())
FEMALE_NOUNS = frozenset("""
spokeswoman chairwoman congresswoman businesswoman actress mother wife daughter sister girl woman
queen princess empress grandmother aunt niece girlfriend widow nun waitress hostess
""".split())
MALE_NOUNS = frozenset("""
spokesman chairman congressman businessman actor father husband son brother boy man king prince
emperor grandfather uncle nephew boyfriend widower monk waiter host
""".split())

# Words that mark a body: any capitalised name holding one is an organisation.
ORG_WORDS = frozenset("""
University Institute College Hospital Clinic Center Centers Centre Centres Institutes Foundation Association Society Agency
Administration Organization Organisation Academy Council Ministry Department School Laboratory
Laboratories Lab Board Commission Group Network Service Services Trust Church Party Committee
Office Bureau Authority Corporation Corp Corp. Inc Inc. Ltd Ltd. Company Co Co. Bank Fund Union
Federation League Court Parliament Congress Senate House Assembly Government Police Army Navy Force
Forces Municipality County Museum Gallery Library Project Programme Program Alliance Coalition
Secretariat Conference Industries Systems Technologies Partners International Associates
""".split())
PUBLICATION_WORDS = frozenset("""
Times Post News Herald Journal Gazette Magazine Press Tribune Guardian Telegraph Independent
Observer Daily Weekly Review Mail Express Standard Chronicle Record Sun Star Mirror Reuters Wire
Bulletin Report Reporter Register Inquirer Examiner Courier Dispatch Monitor Globe Economist
Atlantic Verge Wikinews Wikipedia Radio Television TV BBC CNN CBC ABC NBC CBS NPR PBS AP AFP
""".split())

# Subject pronouns and what they can refer to.
PRONOUNS = {"he": "male", "she": "female", "they": "plural", "it": "thing", "we": "plural", "i": "self"}

# Common first names with a strong gender reading in English-language news; a cue, never proof.
# General usage lists, not taken from any article.
FEMALE_NAMES = frozenset("""
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa margaret betty
sandra ashley dorothy kimberly emily donna michelle carol amanda melissa deborah stephanie rebecca
laura sharon cynthia kathleen amy shirley angela helen anna brenda pamela nicole samantha katherine
emma ruth christine catherine debra rachel carolyn janet virginia maria heather diane julie joyce
victoria kelly christina joan evelyn lauren judith olivia frances martha cheryl megan andrea hannah
jacqueline ann jean alice kathryn gloria teresa doris sara janice julia marie madison grace judy
theresa beverly denise marilyn amber danielle abigail brittany rose diana natalie sophia alexis
lori kayla jane hillary
angela theresa nicola kamala nancy hillary michelle melania condoleezza ruth sonia elena amy
jacinda julia ursula christine angela mette sanna golda indira benazir aung margaret theresa
 jenny kate katie claire clare fiona sophie chloe lucy ellie zoe
isabel isabella mia ava charlotte amelia harper aria layla zoey nora lily eleanor hazel violet
aurora savannah audrey brooklyn bella claire skylar lucy paisley everly caroline nova genesis
emilia kennedy maya willow kinsley naomi aaliyah elena sarah ariana allison gabriella alice
madelyn cora ruby eva serenity autumn adeline hailey gianna valentina isla eliana quinn nevaeh
ivy sadie piper alexa josephine emery julia delilah arianna vivian kaylee sophie brielle
madeline peyton rylee clara hadley melanie mackenzie reagh adalynn liliana charlie aubree
jasmine jade ana rosa carmen lucia sofia fatima aisha amina leila yasmin priya anita sunita
mei yuki keiko sakura jeanne marguerite simone brigitte catherine ingrid astrid greta
abby adriana agnes aileen alana alexandra alicia alison allie alma alyssa anastasia angelica angie
annette annie antoinette april ariel arlene ashlee audra becky belinda bernadette beth bethany betsy
beverley bonnie bridget brooke caitlin camila candace carla carly carrie cassandra cathy cecilia
celeste celia charlene christa christy cindy claudia colleen connie constance courtney crystal daisy
daphne darlene dawn debbie deirdre delia della dolores dominique dora eileen elaine elisa eliza ella
ellen eloise elsa elsie erica erin esther ethel faith felicia florence francesca gail gemma georgia
geraldine gina ginger gwen gwendolyn harriet hattie heidi helena hilary holly hope ida imogen irene
iris isabelle janelle janine jeanette jenna jill jillian joanna joanne jocelyn jodi josie joy
juanita june kara karin karina kathy katrina kay kelsey kendra kristen kristin kristina krystal
lacey lana latoya leah leanne lillian lindsay lindsey lois lorena lorraine louise lucille lydia
lynda mabel maggie mandy marcia margarita margo mariah marian marianne marina marion marjorie
marlene marsha maureen mavis maxine meghan melinda melody meredith miranda miriam misty molly monica
monique muriel myra nadia nadine natasha nellie nina norma olga paige pam patsy patty paula paulette
pauline pearl peggy penelope penny phoebe phyllis polly priscilla rachael ramona regina renee rhonda
rita roberta robyn rochelle rosalind rosemary roxanne sabrina sally selena shannon shari sheila
shelby shelley sherri sherry sheryl sonya stacey stacy stella sue susanne suzanne sylvia tamara
tammy tanya tara tatiana teri terri tessa thelma tiffany tina toni tracey traci trisha valerie
vanessa vera veronica vicki vickie viola wanda wendy whitney wilma yolanda yvonne
""".split())
MALE_NAMES = frozenset("""
james robert john michael william david richard joseph thomas charles christopher daniel matthew
anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward
jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin
samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan
henry douglas zachary peter kyle ethan walter noah jeremy christian keith roger terry gerald harold
sean austin carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel logan albert
willie alan juan wayne elijah randy roy vincent ralph russell bobby mason philip louis
barack bill hillary tom jeff steve mike dan matt tony nick rick bob jim ted ben sam max tim
boris vladimir xi emmanuel justin narendra recep benjamin rishi keir nigel tony gordon
 jason
 gabriel daniel jacob nick jonathan kevin
 joshua charles john colin harry fred freddie oliver leo arthur archie alfie theodore
luke isaac owen caleb ian evan hunter connor jaxon landon levi isaiah hudson lincoln easton
mateo miles cameron carter wyatt jayden grayson julian lucas liam elias josiah silas ezra
muhammad mohammed mohamed ahmed ali omar hassan hussein ibrahim yusuf abdul karim tariq
hiroshi takeshi kenji wei jun li chen pierre jean jacques francois michel giuseppe giovanni
marco antonio francesco hans karl fritz wolfgang klaus sven lars erik olaf ivan sergei dmitri
igor alexei viktor pedro carlos luis miguel javier alejandro diego rafael manuel fernando
abraham adrian alberto alec alfred allan alvin andre andres angelo archibald armando arnold barry
bernard bert blake brad bradley brendan brent brett bruno bryce byron calvin cecil cesar chad
chester clarence clark claude clayton clifford clint clyde cody conrad cory craig curtis dallas
damian darrell darren dave dean derek desmond dominic don duane dustin dwayne dwight earl eddie
edgar edmund eduardo edwin elliot elliott emil emilio enrique ernest ernesto eugene everett felix
floyd franklin fredrick garrett gene geoffrey gerard gilbert glenn graham grant greg guy hank harvey
hector herbert herman horace howard hugh hugo ira irving jake jamal jared jarrett jay jeffery jerome
jimmy joel jon jonah jorge josh julio kurt lance leon leonard leroy lester lewis lloyd lonnie
lorenzo lowell lyle malcolm marcus mario marshall martin marvin maurice melvin micheal milton
mitchell morris murray myron neil nelson neville norman oscar otis pablo percy perry phil preston
quentin ramon randall randolph reginald rex ricardo ricky rob rocco rod rodney rogelio roland
rolando ron ross ruben rudolph rudy rufus salvador sammy saul seth shane shawn sheldon sidney simon
stanley stefan stuart sylvester terrence toby todd tommy travis trevor troy tyrone vernon victor
vince wade wallace warren wesley wilbur wilfred will willard winston xavier
""".split())
